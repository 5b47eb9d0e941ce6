// Data-plane roles. Management roles (Owner, Contributor) give no data access with shared keys off,
// so each reader and writer gets exactly the data role it needs, on the narrowest scope that works.
param storageAccountName string
param appInsightsName string
param deadLetterContainerName string
@description('Principal id of the user-assigned identity of the app.')
param appPrincipalId string
@description('The principal that runs azd; empty: none.')
param principalId string = ''
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

// Built-in role definition ids.
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var storageTableDataReader = '76199698-9eea-4c19-bc75-cec21354c6b6'
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deadLetterContainer 'containers' existing = {
      name: deadLetterContainerName
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// The Functions host (AzureWebJobsStorage) creates and writes its own containers (keys, locks, logs)
// and Flex Consumption reads the deployment package from a container: Storage Blob Data Owner on the
// account, the role the Functions docs name for identity-based host storage. The account is dedicated
// to this app, so the account scope grants nothing beyond it.
// No queue role: the host uses queues only for blob triggers and Durable Functions, and this app has
// neither (its triggers are HTTP and Event Grid, pushed over HTTPS).
resource appBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The app appends to and reads its event and quarantine tables (and creates them if they are ever
// missing); the host also writes its diagnostic-events table to AzureWebJobsStorage. Account scope,
// the account being the app's own.
resource appTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Telemetry to Application Insights with local auth off is accepted only from this role.
resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appPrincipalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Troubleshooting by the person who deploys: read the tables; download (and, after a replay, delete)
// dead-lettered events. Nothing else.
resource userTableReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(storage.id, principalId, storageTableDataReader)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataReader)
    principalId: principalId
    principalType: principalType
  }
}

resource userDeadLetterContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(storage::blobService::deadLetterContainer.id, principalId, storageBlobDataContributor)
  scope: storage::blobService::deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: principalId
    principalType: principalType
  }
}

// When the app's storage roles were first granted (ARM keeps createdOn; a later provision leaves it):
// the predeploy hook waits from here for them to apply. The later of the two, compared as ISO 8601 text.
var blobOwnerSince = appBlobOwner.properties.createdOn
var tableContributorSince = appTableContributor.properties.createdOn
output appStorageRolesAssignedAt string = blobOwnerSince > tableContributorSince ? blobOwnerSince : tableContributorSince
