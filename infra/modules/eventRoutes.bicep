// Which function each ACS Email event type goes to, and the name its subscription starts with (the
// azd environment's token ends it, so that two environments can share one system topic). The
// subscriptions (eventSubscriptions.bicep) and the alerts that watch them (alerts.bicep) both import it.
@export()
@description('One Event Grid subscription per event type, each to the function that handles it (src/functions/ registers them).')
var eventRoutes = [
  {
    namePrefix: 'email-delivery'
    functionName: 'emailDeliveryReport'
    eventType: 'Microsoft.Communication.EmailDeliveryReportReceived'
  }
  {
    namePrefix: 'email-engagement'
    functionName: 'emailEngagementReport'
    eventType: 'Microsoft.Communication.EmailEngagementTrackingReportReceived'
  }
]
