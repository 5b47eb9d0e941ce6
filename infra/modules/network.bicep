// The virtual network the app reaches its storage through when the storage account is closed to the
// internet (restrictStorageNetwork). Flex Consumption integrates with a subnet delegated to
// Microsoft.App/environments; the subnet's Microsoft.Storage service endpoint lets the account's
// firewall admit it by name (a virtual network rule), with no private endpoint or private DNS zone.
param name string
param location string
param tags object

var appSubnetName = 'app'

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        '10.0.0.0/16'
      ]
    }
    subnets: [
      {
        name: appSubnetName
        properties: {
          addressPrefix: '10.0.0.0/24'
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
          serviceEndpoints: [
            {
              service: 'Microsoft.Storage'
            }
          ]
        }
      }
    ]
  }
}

output appSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, appSubnetName)
