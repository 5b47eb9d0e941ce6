// Someone must hear of events that Event Grid gave up on: an alert when any event is dead-lettered
// (after 30 attempts over 24 hours), and, when an address is given, an email to it.
param name string
param tags object
@description('Resource id of the Event Grid system topic.')
param systemTopicId string
@description('Who gets the alert by email; empty: the alert only shows in the portal (Monitor > Alerts).')
param alertEmail string = ''

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${name}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'deadletter'
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

resource deadLetterAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: name
  location: 'global'
  tags: tags
  properties: {
    description: 'Event Grid dead-lettered ACS Email events: they were never stored. See docs/deploy.md, "Dead-lettered events and how to replay them".'
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
          name: 'DeadLetteredEvents'
          metricNamespace: 'Microsoft.EventGrid/systemTopics'
          metricName: 'DeadLetteredCount'
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

output name string = deadLetterAlert.name
