// Someone must hear of events that never reached the app: an alert when Event Grid dead-letters an
// event (after 30 attempts over 24 hours), and one when it drops an event, which it does when even
// dead-lettering fails (the container gone, its role or the network closed to the topic): then the
// event is lost, and only this metric says so. With an address given, both are mailed to it.
//
// Both count only this deployment's subscriptions (dimension EventSubscriptionName): a reused system
// topic may carry other apps' subscriptions, whose failures are theirs. Event Grid reports the
// dimension's values in upper case, as it names the dead-letter blobs.
import { eventRoutes } from 'eventRoutes.bicep'

@description('Names the alerts: alert-deadletter-<suffix> and alert-dropped-<suffix>.')
param nameSuffix string
param tags object
@description('Resource id of the Event Grid system topic.')
param systemTopicId string
@description('Who gets the alerts by email; empty: they only show in the portal (Monitor > Alerts).')
param alertEmail string = ''

var subscriptionNames = map(eventRoutes, route => toUpper('${route.namePrefix}-${nameSuffix}'))

var watched = [
  {
    name: 'alert-deadletter-${nameSuffix}'
    metricName: 'DeadLetteredCount'
    description: 'Event Grid dead-lettered ACS Email events: they were never stored. See docs/deploy.md, "Dead-lettered events and how to replay them".'
  }
  {
    name: 'alert-dropped-${nameSuffix}'
    metricName: 'DroppedEventCount'
    description: 'Event Grid dropped ACS Email events: delivery and dead-lettering both failed, and the events are lost. See docs/deploy.md, "Troubleshooting".'
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-alert-events-${nameSuffix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'acs-events'
    enabled: true
    emailReceivers: [
      {
        name: 'deployer'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource alerts 'Microsoft.Insights/metricAlerts@2018-03-01' = [
  for alert in watched: {
    name: alert.name
    location: 'global'
    tags: tags
    properties: {
      description: alert.description
      severity: 2
      enabled: true
      scopes: [
        systemTopicId
      ]
      evaluationFrequency: 'PT15M'
      windowSize: 'PT1H'
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: alert.metricName
            metricNamespace: 'Microsoft.EventGrid/systemTopics'
            metricName: alert.metricName
            dimensions: [
              {
                name: 'EventSubscriptionName'
                operator: 'Include'
                values: subscriptionNames
              }
            ]
            operator: 'GreaterThan'
            threshold: 0
            timeAggregation: 'Total'
          }
        ]
      }
      actions: empty(alertEmail)
        ? []
        : [
            {
              actionGroupId: actionGroup.id
            }
          ]
    }
  }
]

output deadLetterAlertName string = alerts[0].name
output droppedEventsAlertName string = alerts[1].name
