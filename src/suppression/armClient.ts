/**
 * The ACS suppression list in Azure Resource Manager, through @azure/arm-communication
 * (`suppressionListAddresses`, API version 2025-09-01), with the app's managed identity. Loaded by the
 * sync timer on first use only.
 *
 * The SDK's own retries are off: a throttled or failing call is the outbox's to retry, later, as ARM
 * asks (Retry-After), so that a run never sleeps inside a call.
 */
import type { TokenCredential } from '@azure/identity';
import type { CommunicationServiceManagementClientOptionalParams } from '@azure/arm-communication';
import type { SuppressionListId } from './listId.js';

export interface SuppressionListClient {
  /** Puts the address on the list under `addressId`; the same id again changes nothing. */
  add(addressId: string, email: string, notes: string): Promise<void>;
  /** Takes `addressId` off the list; one that is not there counts as taken off. */
  remove(addressId: string): Promise<void>;
}

export interface ArmClientOptions {
  /** ARM's endpoint (EmailEventsArmEndpoint). */
  endpoint: string;
  credential: TokenCredential;
  /** Passed to the SDK client (tests add TLS trust for a stand-in here). */
  clientOptions?: CommunicationServiceManagementClientOptionalParams;
}

export async function createSuppressionListClient(list: SuppressionListId, options: ArmClientOptions): Promise<SuppressionListClient> {
  const { CommunicationServiceManagementClient } = await import('@azure/arm-communication');
  const client = new CommunicationServiceManagementClient(options.credential, list.subscriptionId, {
    ...options.clientOptions,
    endpoint: options.endpoint,
    $host: options.endpoint,
    retryOptions: { maxRetries: 0 },
  });
  const addresses = client.suppressionListAddresses;
  const at = [list.resourceGroup, list.emailService, list.domain, list.list] as const;
  return {
    add: async (addressId, email, notes) => {
      await addresses.createOrUpdate(...at, addressId, { email, notes });
    },
    remove: async (addressId) => {
      try {
        await addresses.delete(...at, addressId);
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
    },
  };
}

/**
 * The app's identity: the user-assigned managed identity the storage settings name (as in Azure),
 * else DefaultAzureCredential (a system-assigned identity, a developer's sign-in, or the stand-in's
 * managed identity endpoint through IDENTITY_ENDPOINT).
 */
export async function appCredential(clientId: string | undefined): Promise<TokenCredential> {
  const { DefaultAzureCredential, ManagedIdentityCredential } = await import('@azure/identity');
  return clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
}
