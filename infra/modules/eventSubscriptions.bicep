// One Event Grid subscription per ACS Email event type, to the function that handles it.
//
// Deployed two ways, both to the system topic's resource group:
// - alone, by the postdeploy hook (`az deployment group create`), right after the first deploy of the
//   code: an AzureFunction endpoint must name a function that already exists, and this deployment
//   touches nothing else, so the app is not rewritten while Event Grid looks its functions up;
// - as a module of main.bicep once DEPLOY_EVENT_SUBSCRIPTIONS is true, so that later provisions keep
//   them as declared.
@description('Name of the system topic on the ACS resource (in this resource group).')
param systemTopicName string
@description('Resource id of the Function App whose functions receive the events.')
param functionAppId string
@description('Resource id of the storage account that holds the dead-letter container.')
param deadLetterStorageAccountId string
param deadLetterContainerName string
@description('Ends each subscription name, so that two azd environments can share one system topic.')
@minLength(1)
param nameSuffix string

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

// The function each event type goes to (src/functions/ registers them).
var routes = [
  {
    name: 'email-delivery-${nameSuffix}'
    functionName: 'emailDeliveryReport'
    eventType: 'Microsoft.Communication.EmailDeliveryReportReceived'
  }
  {
    name: 'email-engagement-${nameSuffix}'
    functionName: 'emailEngagementReport'
    eventType: 'Microsoft.Communication.EmailEngagementTrackingReportReceived'
  }
]

// One event per invocation: the functions take one event each, and a failure retries only that event.
// Event Grid's own defaults, written out: up to 30 attempts over 24 hours, then dead-letter, written
// with the topic's identity (shared keys are off on the account).
// batchSize(1): parallel writes to subscriptions of one system topic can fail with a conflict.
@batchSize(1)
resource subscriptions 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = [
  for route in routes: {
    parent: systemTopic
    name: route.name
    properties: {
      destination: {
        endpointType: 'AzureFunction'
        properties: {
          resourceId: '${functionAppId}/functions/${route.functionName}'
          maxEventsPerBatch: 1
          preferredBatchSizeInKilobytes: 64
        }
      }
      filter: {
        includedEventTypes: [
          route.eventType
        ]
      }
      eventDeliverySchema: 'EventGridSchema'
      retryPolicy: {
        maxDeliveryAttempts: 30
        eventTimeToLiveInMinutes: 1440
      }
      deadLetterWithResourceIdentity: {
        identity: {
          type: 'SystemAssigned'
        }
        deadLetterDestination: {
          endpointType: 'StorageBlob'
          properties: {
            resourceId: deadLetterStorageAccountId
            blobContainerName: deadLetterContainerName
          }
        }
      }
    }
  }
]

output names array = [for (route, i) in routes: subscriptions[i].name]
