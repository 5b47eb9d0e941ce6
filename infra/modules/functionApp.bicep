// The Function App on Flex Consumption (Linux, Node 22), run by the app's user-assigned identity.
//
// App settings hold no key and no secret: storage is reached with the identity (the host through
// AzureWebJobsStorage__*, the app through EmailEventsStorage__*), and Application Insights, with local
// auth off, takes telemetry only with an Entra token of that identity.
param name string
param planName string
param location string
param tags object
@description('Name of the user-assigned identity (in this resource group) that runs the app.')
param identityName string
param storageAccountName string
param deploymentContainerName string
param appInsightsName string
@description('App setting EmailEventsTable.')
param eventsTableName string
@description('App setting EmailEventsRetentionDays: days a message is kept after its newest event; 0 keeps everything.')
@minValue(0)
@maxValue(36500)
param retentionDays int
@description('App setting EmailEventsRetentionSchedule; empty: the app\'s default.')
param retentionSchedule string = ''
@description('App setting EmailEventsRedactLinks; empty: the app\'s default (true).')
param redactLinks string = ''
@description('App setting EmailEventsStatisticsSchedule; empty: the app\'s default.')
param statisticsSchedule string = ''
@description('App setting EmailEventsSuppressOn; empty: the app\'s default (Bounced).')
param suppressOn string = ''
@description('App setting EmailEventsSuppressionSyncSchedule; empty: the app\'s default.')
param suppressionSyncSchedule string = ''
@description('Subnet (delegated to Microsoft.App/environments) the app reaches its storage through; empty: no virtual network.')
param virtualNetworkSubnetId string = ''
@description('App setting EmailEventsSuppressionList: the ACS suppression list the app keeps in step; empty: none.')
param suppressionListId string = ''
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048
@description('Flex Consumption scale-out limit.')
param maximumInstanceCount int = 100

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd deploys the `api` service of azure.yaml to the resource with this tag.
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      // No FTP at all; azd publishes over HTTPS with Microsoft Entra ID (below: no basic auth either).
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }

  // Flex Consumption sets the runtime in functionAppConfig: FUNCTIONS_WORKER_RUNTIME and
  // FUNCTIONS_EXTENSION_VERSION are not allowed here.
  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // The Functions host's storage, with the identity.
      AzureWebJobsStorage__accountName: storage.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId
      // Telemetry, with the identity (local auth is off on the Application Insights resource).
      APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
      // The app's own settings (src/settings.ts): the event tables, with the identity.
      EmailEventsStorage__tableServiceUri: 'https://${storage.name}.table.${environment().suffixes.storage}'
      EmailEventsStorage__clientId: identity.properties.clientId
      // Each one a parameter of main.bicep (an azd environment value): this resource replaces every
      // app setting on each provision, so one set by hand would not survive the next.
      EmailEventsTable: eventsTableName
      EmailEventsRetentionDays: string(retentionDays)
      EmailEventsRetentionSchedule: retentionSchedule
      EmailEventsRedactLinks: redactLinks
      EmailEventsStatisticsSchedule: statisticsSchedule
      EmailEventsSuppressOn: suppressOn
      EmailEventsSuppressionSyncSchedule: suppressionSyncSchedule
      EmailEventsSuppressionList: suppressionListId
    }
  }
}

// Basic authentication (user name and password) for FTP and for the SCM site is off: azd's Flex
// Consumption publish signs in with Microsoft Entra ID, so publishing credentials are never needed.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = functionApp.name
output id string = functionApp.id
output uri string = 'https://${functionApp.properties.defaultHostName}'
