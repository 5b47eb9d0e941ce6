/** The ARM resource id of an ACS email domain's suppression list, parsed. Pure. */

export interface SuppressionListId {
  /** As ARM writes it: /subscriptions/…/suppressionLists/<list>. */
  resourceId: string;
  subscriptionId: string;
  resourceGroup: string;
  emailService: string;
  domain: string;
  list: string;
}

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
// A name is a path segment: no slash, nothing that would change the URL the SDK builds.
const NAME = "([^/?#\\s%]+)";
const LIST_ID = new RegExp(
  `^/subscriptions/(${GUID})/resourceGroups/${NAME}/providers/Microsoft\\.Communication/emailServices/${NAME}/domains/${NAME}/suppressionLists/${NAME}$`,
  'i',
);

/** The parts of a suppression list's resource id (segment names in any case, as ARM takes them), or undefined. */
export function parseSuppressionListId(text: string): SuppressionListId | undefined {
  const match = LIST_ID.exec(text.trim().replace(/\/+$/, ''));
  if (!match) return undefined;
  const [, subscriptionId, resourceGroup, emailService, domain, list] = match as unknown as [string, string, string, string, string, string];
  return {
    resourceId: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Communication/emailServices/${emailService}/domains/${domain}/suppressionLists/${list}`,
    subscriptionId,
    resourceGroup,
    emailService,
    domain,
    list,
  };
}
