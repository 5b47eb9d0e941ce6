// One Event Grid subscription per ACS Email event type, to the function that handles it.
//
// Deployed alone, and only, by the postdeploy hook (`az deployment group create`, to the system
// topic's resource group) after every deploy of the code: an AzureFunction endpoint must name a
// function that already runs, and this deployment touches nothing else, so the app is not rewritten
// or restarted while Event Grid looks its functions up. main.bicep does not declare them.
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

import { eventRoutes } from 'eventRoutes.bicep'

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

// One event per invocation: the functions take one event each, and a failure retries only that event.
// Event Grid's own defaults, written out: up to 30 attempts over 24 hours, then dead-letter, written
// with the topic's identity (shared keys are off on the account).
// batchSize(1): parallel writes to subscriptions of one system topic can fail with a conflict.
@batchSize(1)
resource subscriptions 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = [
  for route in eventRoutes: {
    parent: systemTopic
    name: '${route.namePrefix}-${nameSuffix}'
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

output names array = [for (route, i) in eventRoutes: subscriptions[i].name]
