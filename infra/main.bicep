// ACS Email Status: everything `azd up` provisions.
//
// One resource group holds the app: a Function App on Flex Consumption, its storage account (shared
// keys off; the event tables, the deployment package and Event Grid's dead-letters), Log Analytics and
// Application Insights (local auth off), one user-assigned managed identity with the data roles it
// needs, and alerts on dead-lettered and dropped events; optionally a virtual network, when the storage
// account is closed to the internet. The EXISTING Azure Communication Services resource gets an Event
// Grid system topic, or keeps the one it has (an ACS resource can have only one): then that topic is
// updated in its own resource group, and only gains an identity and a diagnostic setting.
//
// The subscriptions (modules/eventSubscriptions.bicep) are not declared here: the postdeploy hook
// deploys them alone after every deploy, once the code runs (an `AzureFunction` endpoint must name a
// function that already runs in the app). A provision that declared them would re-PUT them while the
// app settings change restarts the app, and Event Grid would look the functions up mid-restart.
// Every resource is declared idempotently, so a second `azd up` changes nothing.
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

// Required, but with an empty default: azd prompts for a parameter without one BEFORE the preprovision
// hook runs, and keeps the answer where the hook does not look (Azure/azure-dev#5806). The hook
// refuses to go on without ACS_RESOURCE_NAME and ACS_RESOURCE_GROUP, with the command that sets them.
@description('Name of the existing Azure Communication Services resource whose Email events are recorded (ACS_RESOURCE_NAME; the preprovision hook requires it).')
param acsResourceName string = ''

@description('Resource group of that Azure Communication Services resource, in the same subscription (ACS_RESOURCE_GROUP; the preprovision hook requires it).')
param acsResourceGroup string = ''

@description('Name of an existing Event Grid system topic on the ACS resource, to reuse (ACS_SYSTEM_TOPIC_NAME; the preprovision hook finds it). Empty: a new topic is created in the app\'s resource group.')
param existingSystemTopicName string = ''

@description('Resource group of that existing system topic (ACS_SYSTEM_TOPIC_RESOURCE_GROUP). Empty: the ACS resource\'s group.')
param existingSystemTopicResourceGroup string = ''

@description('Email address that gets the alerts on dead-lettered and dropped events (ALERT_EMAIL). Empty: the alerts show in the portal only.')
param alertEmail string = ''

// The app's own settings. Every provision writes the app settings as a whole (config/appsettings), so a
// setting changed anywhere else is gone after the next one: each setting a user may tune is a parameter
// here, bound to an azd environment value in main.parameters.json (azd env set ...; azd provision).
@description('Name of the table that holds the email events (EMAIL_EVENTS_TABLE; app setting EmailEventsTable). Its quarantine and index tables are this name plus "Quarantine" and "Index".')
param eventsTableName string = 'EmailEvents'

@description('Days a message (and every index row of it) is kept after its newest event (RETENTION_DAYS; app setting EmailEventsRetentionDays); 0 keeps everything.')
@minValue(0)
@maxValue(36500)
param retentionDays int = 90

@description('When the retention runs, NCRONTAB with seconds, in UTC (RETENTION_SCHEDULE; app setting EmailEventsRetentionSchedule). Empty: the app\'s default, daily at 02:30.')
param retentionSchedule string = ''

@allowed([
  ''
  'true'
  'false'
])
@description('Whether clicked links are stored with their query values redacted (REDACT_LINKS; app setting EmailEventsRedactLinks). Empty: the app\'s default, true.')
param redactLinks string = ''

@description('When the statistics roll-up runs, NCRONTAB with seconds, in UTC (STATISTICS_SCHEDULE; app setting EmailEventsStatisticsSchedule). Empty: the app\'s default, every 15 minutes.')
param statisticsSchedule string = ''

@description('Delivery statuses that put an address on the suppression list, comma-separated, or none (SUPPRESS_ON; app setting EmailEventsSuppressOn). Empty: the app\'s default, Bounced.')
param suppressOn string = ''

@description('When the suppression list sync runs, NCRONTAB with seconds, in UTC (SUPPRESSION_SYNC_SCHEDULE; app setting EmailEventsSuppressionSyncSchedule). Empty: the app\'s default, every minute.')
param suppressionSyncSchedule string = ''

@description('Close the storage account to the internet (STORAGE_NETWORK_RESTRICTED): the app reaches it through a virtual network, Event Grid dead-letters as a trusted service, and nobody else gets in, you included, unless your address is in storageAllowedIpAddresses.')
param restrictStorageNetwork bool = false

@description('With restrictStorageNetwork: public IP addresses or CIDR ranges that may still reach the storage account (STORAGE_ALLOWED_IPS, comma-separated), such as your own for troubleshooting.')
param storageAllowedIpAddresses string = ''

@description('Resource id of the ACS email domain\'s suppression list to keep in step (SUPPRESSION_LIST_ID): /subscriptions/…/resourceGroups/…/providers/Microsoft.Communication/emailServices/…/domains/…/suppressionLists/<list>. Created when missing; the app\'s identity may write its addresses. Empty: no sync.')
param suppressionListId string = ''

@description('Application (client) ID of the Entra ID app registration people sign in to (AUTH_CLIENT_ID; the preprovision hook makes it). Empty: no sign-in, function keys only.')
param authClientId string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
// The deployment package and the dead-letters each get their own container in the app's account.
var deploymentContainerName = 'app-package'
var deadLetterContainerName = 'eventgrid-deadletter'
// A topic this app creates lives in its resource group, and goes with it on `azd down`. A reused one
// stays where it is, and `azd down` leaves it (the postdown hook removes only what this app added).
var reuseSystemTopic = !empty(existingSystemTopicName)
var systemTopicName = reuseSystemTopic ? existingSystemTopicName : 'evgt-acs-${resourceToken}'
var systemTopicResourceGroup = reuseSystemTopic
  ? (empty(existingSystemTopicResourceGroup) ? acsResourceGroup : existingSystemTopicResourceGroup)
  : rg.name
// Unique to the environment: a shared topic may carry other apps' diagnostic settings too.
var diagnosticSettingName = 'acs-email-status-${resourceToken}'
var storageAllowedIps = filter(map(split(storageAllowedIpAddresses, ','), address => trim(address)), address => !empty(address))

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

module network 'modules/network.bicep' = if (restrictStorageNetwork) {
  name: 'network'
  scope: rg
  params: {
    name: 'vnet-${resourceToken}'
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
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsId
    diagnosticSettingName: diagnosticSettingName
    appSubnetId: network.?outputs.appSubnetId ?? ''
    allowedIpAddresses: storageAllowedIps
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

// The list's id, taken apart: ['', 'subscriptions', <2>, 'resourceGroups', <4>, 'providers', …, 'emailServices', <8>,
// 'domains', <10>, 'suppressionLists', <12>]. Without one, placeholders: ARM evaluates a module's scope even
// when its condition is false.
var suppressionListParts = empty(suppressionListId)
  ? ['', 'subscriptions', subscription().subscriptionId, 'resourceGroups', 'rg-${environmentName}', '', '', '', 'none', '', 'none', '', 'none']
  : split(suppressionListId, '/')
module suppressionList 'modules/suppressionList.bicep' = if (!empty(suppressionListId)) {
  name: 'suppressionList'
  scope: resourceGroup(suppressionListParts[2], suppressionListParts[4])
  params: {
    emailServiceName: suppressionListParts[8]
    domainName: suppressionListParts[10]
    listName: suppressionListParts[12]
    appPrincipalId: identity.outputs.principalId
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
    retentionDays: retentionDays
    retentionSchedule: retentionSchedule
    redactLinks: redactLinks
    statisticsSchedule: statisticsSchedule
    suppressOn: suppressOn
    suppressionSyncSchedule: suppressionSyncSchedule
    virtualNetworkSubnetId: network.?outputs.appSubnetId ?? ''
    suppressionListId: suppressionListId
  }
  // The host reads its storage with the identity as soon as it starts: grant the roles first.
  dependsOn: [
    roles
  ]
}

// People sign in with Entra ID in front of the app; machines keep their function keys (docs/authentication.md).
module authentication 'modules/authentication.bicep' = if (!empty(authClientId)) {
  name: 'authentication'
  scope: rg
  params: {
    functionAppName: functionApp.outputs.name
    clientId: authClientId
    tenantId: tenant().tenantId
  }
}

module existingSystemTopic 'modules/systemTopicLookup.bicep' = if (reuseSystemTopic) {
  name: 'systemTopicLookup'
  scope: resourceGroup(systemTopicResourceGroup)
  params: {
    name: systemTopicName
  }
}

module systemTopic 'modules/systemTopic.bicep' = {
  name: 'systemTopic'
  scope: resourceGroup(systemTopicResourceGroup)
  params: {
    name: systemTopicName
    // ACS resources live in the 'global' location, and so does a system topic on one.
    location: existingSystemTopic.?outputs.location ?? 'global'
    // Someone else's topic keeps its tags; ours carries the environment's.
    tags: reuseSystemTopic ? existingSystemTopic.?outputs.tags ?? {} : tags
    userAssignedIdentities: existingSystemTopic.?outputs.userAssignedIdentities ?? {}
    acsResourceId: acs.id
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsId
    diagnosticSettingName: diagnosticSettingName
  }
}

module deadLetterRole 'modules/deadLetterRole.bicep' = {
  name: 'deadLetterRole'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    deadLetterContainerName: deadLetterContainerName
    topicPrincipalId: systemTopic.outputs.principalId
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    nameSuffix: resourceToken
    tags: tags
    systemTopicId: systemTopic.outputs.id
    alertEmail: alertEmail
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
// What the hooks need (infra/hooks/): where the topic is, what the subscriptions point at.
output EVENT_GRID_SYSTEM_TOPIC_NAME string = systemTopic.outputs.name
output EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP string = systemTopicResourceGroup
output EVENT_GRID_SYSTEM_TOPIC_REUSED bool = reuseSystemTopic
output EVENT_SUBSCRIPTION_SUFFIX string = resourceToken
output EVENT_GRID_DIAGNOSTIC_SETTING_NAME string = diagnosticSettingName
output AZURE_FUNCTION_APP_ID string = functionApp.outputs.id
output AZURE_STORAGE_ACCOUNT_ID string = storage.outputs.id
// When the app's storage roles were granted (not when this provision ran): the predeploy hook waits
// from here until they apply.
output ROLES_ASSIGNED_AT string = roles.outputs.appStorageRolesAssignedAt
output DEAD_LETTER_ALERT_NAME string = alerts.outputs.deadLetterAlertName
output DROPPED_EVENTS_ALERT_NAME string = alerts.outputs.droppedEventsAlertName
