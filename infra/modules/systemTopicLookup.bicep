// Reads an Event Grid system topic that someone else created on the ACS resource, so that
// systemTopic.bicep can declare it again without losing what it has: its location, its tags and any
// user-assigned identities. (A deployment replaces a resource's tags and identity with what it declares.)
param name string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: name
}

output location string = topic.location
output tags object = topic.?tags ?? {}
output userAssignedIdentities object = topic.?identity.?userAssignedIdentities ?? {}
output source string = topic.properties.source
