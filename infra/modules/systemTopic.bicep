// The Event Grid system topic of the ACS resource, with the system-assigned identity that writes
// dead-lettered events (shared keys are off on the app's storage, so Event Grid needs an identity),
// and its delivery-failure logs sent to the app's Log Analytics workspace.
//
// An ACS resource can have only one system topic. When it already has one (created from the portal's
// Events page, or by another app), main.bicep passes it here as `existing`: it is declared again in
// its own resource group with the same source, location, tags and user-assigned identities, plus the
// system-assigned identity. Deploying it is then an update, not a second topic.
param name string
@description('Where the topic is: \'global\' for a new one, the existing topic\'s location otherwise.')
param location string = 'global'
param tags object
@description('Resource id of the Azure Communication Services resource: the topic\'s source.')
param acsResourceId string
@description('User-assigned identities the existing topic already has; kept.')
param userAssignedIdentities object = {}
param logAnalyticsWorkspaceId string
@description('Name of the diagnostic setting; unique to the azd environment, so that another app\'s settings on a shared topic are left alone.')
param diagnosticSettingName string

// A deployment sets identity as a whole: keep the user-assigned ones (their ids; the values must be empty).
var keptUserIdentities = toObject(objectKeys(userAssignedIdentities), id => id, id => {})

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: empty(keptUserIdentities)
    ? {
        type: 'SystemAssigned'
      }
    : {
        type: 'SystemAssigned, UserAssigned'
        userAssignedIdentities: keptUserIdentities
      }
  properties: {
    source: acsResourceId
    topicType: 'Microsoft.Communication.CommunicationServices'
  }
}

// Every failed delivery attempt (and why: endpoint not found, timeout, 5xx...) goes to the
// AegDeliveryFailureLogs table; the metrics, DeadLetteredCount among them, go along for queries.
resource deliveryFailureLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: diagnosticSettingName
  scope: systemTopic
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'DeliveryFailures'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output name string = systemTopic.name
output id string = systemTopic.id
output principalId string = systemTopic.identity.principalId
