// The app's storage account, dedicated to it: the Functions host's own blobs (AzureWebJobsStorage),
// the deployment package, the email event tables, and Event Grid's dead-letters. Shared keys are off,
// so every client (the host, the app, Event Grid, people) signs in with Microsoft Entra ID.
param name string
param location string
param tags object
param deploymentContainerName string
param deadLetterContainerName string
@description('The events table; the app also writes "<name>Quarantine" and "<name>Index". All three are created here, so the app never has to.')
param eventsTableName string
@description('Log Analytics workspace that receives the table access logs.')
param logAnalyticsWorkspaceId string
@description('Name of the diagnostic setting that sends them there.')
param diagnosticSettingName string
@description('Subnet the app is integrated with; empty: the account stays reachable from any network (with Entra ID sign-in only).')
param appSubnetId string = ''
@description('With appSubnetId: public addresses or CIDR ranges that may still reach the account.')
param allowedIpAddresses array = []

var restricted = !empty(appSubnetId)

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // Restricted: only the app's subnet, the addresses allowed, and trusted Azure services get in.
    // Event Grid dead-letters with its system topic's system-assigned identity, which a firewall admits
    // only as a trusted service (AzureServices); a user-assigned identity would be refused.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: restricted ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
      virtualNetworkRules: restricted
        ? [
            {
              id: appSubnetId
              action: 'Allow'
            }
          ]
        : []
      ipRules: map(restricted ? allowedIpAddresses : [], address => {
        value: address
        action: 'Allow'
      })
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Event Grid writes here, with its system topic's identity, each event it gave up on (a JSON array).
resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource eventsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: eventsTableName
}

resource quarantineTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: '${eventsTableName}Quarantine'
}

// The lookup indexes (by address, by Internet Message-ID), the retention index and erasure records.
resource indexTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: '${eventsTableName}Index'
}

// Who read, wrote or deleted which rows: the tables hold personal data (addresses, user agents, links).
// Table access only: the blob service carries the Functions host's own traffic (leases renewed every
// few seconds), which would flood the workspace.
resource tableAccessLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: diagnosticSettingName
  scope: tableService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'StorageRead'
        enabled: true
      }
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
  }
}

output name string = storage.name
output id string = storage.id
