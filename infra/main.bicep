// ACS Email Status: everything `azd up` provisions.
//
// One resource group holds the app: a Function App on Flex Consumption, its storage account (shared
// keys off; the event tables, the deployment package and Event Grid's dead-letters), Application
// Insights (local auth off), one user-assigned managed identity with the data roles it needs, and an
// Event Grid system topic on the EXISTING Azure Communication Services resource, with one subscription
// per email event type to its function.
//
// The subscriptions exist only when `deployEventSubscriptions` is true. An `AzureFunction` endpoint
// must name a function that already runs in the app, and on the first `azd up` the code is deployed
// after the infrastructure. So the first provision leaves them out, and the `postdeploy` hook in
// azure.yaml sets DEPLOY_EVENT_SUBSCRIPTIONS=true and provisions once more. Every resource here is
// declared idempotently, so a second `azd up` (or `azd provision`) changes nothing.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment: names the resource group and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Region of the resource group and of every regional resource. It must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the principal that runs azd (AZURE_PRINCIPAL_ID). When set, it may read the event tables and read and delete dead-lettered events, for troubleshooting. Empty: no access is granted.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
@description('Kind of principalId.')
param principalType string = 'User'

@minLength(1)
@description('Name of the existing Azure Communication Services resource whose Email events are recorded.')
param acsResourceName string

@minLength(1)
@description('Resource group of that Azure Communication Services resource, in the same subscription.')
param acsResourceGroup string

@description('Create the Event Grid subscriptions. False on the first provision, before the functions exist; the postdeploy hook turns it on.')
param deployEventSubscriptions bool = false

@description('Name of the table that holds the email events (app setting EmailEventsTable). Its quarantine table is this name plus "Quarantine".')
param eventsTableName string = 'EmailEvents'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
// The deployment package and the dead-letters each get their own container in the app's account.
var deploymentContainerName = 'app-package'
var deadLetterContainerName = 'eventgrid-deadletter'

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

// The ACS resource is not managed here: only its id is used, as the system topic's source.
resource acs 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: acsResourceName
  scope: resourceGroup(acsResourceGroup)
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    appInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    deadLetterContainerName: deadLetterContainerName
    eventsTableName: eventsTableName
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    deadLetterContainerName: deadLetterContainerName
    appPrincipalId: identity.outputs.principalId
    principalId: principalId
    principalType: principalType
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  params: {
    name: 'func-api-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityName: identity.outputs.name
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    appInsightsName: monitoring.outputs.appInsightsName
    eventsTableName: eventsTableName
  }
  // The host reads its storage with the identity as soon as it starts: grant the roles first.
  dependsOn: [
    roles
  ]
}

module eventGrid 'modules/eventGrid.bicep' = {
  name: 'eventGrid'
  scope: rg
  params: {
    systemTopicName: 'evgt-acs-${resourceToken}'
    tags: tags
    acsResourceId: acs.id
    storageAccountName: storage.outputs.name
    deadLetterContainerName: deadLetterContainerName
    functionAppName: functionApp.outputs.name
    deployEventSubscriptions: deployEventSubscriptions
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output EMAIL_EVENTS_TABLE string = eventsTableName
output DEAD_LETTER_CONTAINER_NAME string = deadLetterContainerName
output EVENT_GRID_SYSTEM_TOPIC_NAME string = eventGrid.outputs.systemTopicName
