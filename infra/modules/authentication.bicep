// App Service Authentication (Easy Auth) in front of the Function App: people sign in with Microsoft
// Entra ID; machines keep their function keys. docs/authentication.md says why it is set up this way,
// with the documentation it rests on.
//
// - The platform signs people in (/.auth/login/aad) and passes each signed-in person on to the app as
//   X-MS-CLIENT-PRINCIPAL, removing any such header a client sends; it sets WEBSITE_AUTH_ENABLED=True,
//   which is what the app reads before it trusts the header (src/auth/caller.ts).
// - Unauthenticated requests are let through (AllowAnonymous): the Functions host still checks the
//   function key of every keyed route, Event Grid delivers with its system key, and the app lets into
//   the people's routes (/api/signed-in/…) only a signed-in person holding the route's app role.
//   Requiring authentication here would turn away every machine with a key and no token.
// - The Event Grid webhook is excluded all the same, so that no change to the action above can ever
//   stop Event Grid's deliveries.
// - No client secret: sign-in takes an ID token (OpenID Connect implicit flow), which carries the
//   person's app roles; nothing here is a secret, and no token store is kept.
param functionAppName string
@description('Application (client) ID of the app registration that people sign in to (AUTH_CLIENT_ID, made by infra/hooks/signin.*).')
param clientId string
@description('The Microsoft Entra tenant the app registration is in.')
param tenantId string

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource authentication 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
      excludedPaths: [
        '/runtime/webhooks/eventgrid'
      ]
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: clientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
        }
        validation: {
          // The browser's ID token (audience: the client ID), and access tokens for the app's API.
          allowedAudiences: [
            clientId
            'api://${clientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}
