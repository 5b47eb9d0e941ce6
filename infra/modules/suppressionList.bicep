// The ACS email domain's suppression list that the app keeps in step with its own (app setting
// EmailEventsSuppressionList), created when it does not exist yet, and the least the app's identity
// needs to keep it: a custom role with only the actions on the list's addresses, assigned on the
// email domain (the narrowest scope that holds the list).
//
// Deployed into the email service's resource group. A PUT of an existing list changes nothing in it:
// its addresses are child resources, which this template does not declare.
param emailServiceName string
param domainName string
param listName string
@description('Principal id of the app\'s user-assigned identity.')
param appPrincipalId string

// Reading, writing and deleting list addresses: exactly what the sync calls (createOrUpdate, delete).
var addressActions = [
  'Microsoft.Communication/emailServices/domains/suppressionLists/suppressionListAddresses/read'
  'Microsoft.Communication/emailServices/domains/suppressionLists/suppressionListAddresses/write'
  'Microsoft.Communication/emailServices/domains/suppressionLists/suppressionListAddresses/delete'
]

resource emailService 'Microsoft.Communication/emailServices@2025-09-01' existing = {
  name: emailServiceName

  resource domain 'domains' existing = {
    name: domainName
  }
}

resource suppressionList 'Microsoft.Communication/emailServices/domains/suppressionLists@2025-09-01' = {
  parent: emailService::domain
  name: listName
  properties: {
    listName: listName
  }
}

resource addressWriter 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'acs-email-status-suppression-list-addresses')
  properties: {
    roleName: 'ACS Email Status suppression list writer (${resourceGroup().name})'
    description: 'Reads, writes and deletes the addresses of ACS email suppression lists, and nothing else.'
    type: 'CustomRole'
    permissions: [
      {
        actions: addressActions
        notActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource appWritesAddresses 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(emailService::domain.id, appPrincipalId, addressWriter.id)
  scope: emailService::domain
  properties: {
    roleDefinitionId: addressWriter.id
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output id string = suppressionList.id
