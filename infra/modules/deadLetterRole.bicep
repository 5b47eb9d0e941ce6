// The system topic's identity may write blobs in the dead-letter container, and nowhere else.
// Its own module, in the app's resource group: the topic may live in another one (a reused topic).
param storageAccountName string
param deadLetterContainerName string
@description('Principal id of the system topic\'s system-assigned identity.')
param topicPrincipalId string

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deadLetterContainer 'containers' existing = {
      name: deadLetterContainerName
    }
  }
}

// Named from the principal, not from the topic: a recreated topic has a new identity, hence a new
// assignment, where a name kept from the topic's id would try to update the old one to another
// principal, which Azure refuses (RoleAssignmentUpdateNotPermitted).
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::deadLetterContainer.id, topicPrincipalId, storageBlobDataContributor)
  scope: storage::blobService::deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: topicPrincipalId
    principalType: 'ServicePrincipal'
  }
}
