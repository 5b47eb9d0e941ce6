/**
 * Pure rules that tell a likely machine open or click from a likely human one, from what an ACS
 * engagement report carries (its user agent and its time; no IP address) and, where it is known, the
 * delivery attempt of the same recipient. SendGrid's `sg_machine_open` and Mailgun's
 * `client-info.bot` are the models: a flag and the reason, never a dropped event.
 *
 * What the rules catch and what they miss is written down in docs/statistics.md.
 */
import { instantSortKey } from '../events/timestamps.js';

/** The rules, by the name the API shows in `machineRule`. */
export const MACHINE_RULES = [
  'apple-mail-privacy-protection',
  'link-scanner',
  'bot',
  'seconds-after-delivery',
] as const;
export type MachineRule = (typeof MACHINE_RULES)[number];

export type MachineVerdict = { machine: false } | { machine: true; rule: MachineRule };

/**
 * An open or click this close to the delivery attempt (before or after it) is a machine's: a person
 * does not see, open and click a message within seconds of its arrival, but a gateway scanning it on
 * the way in, or Apple's proxy fetching its images, does.
 */
export const MACHINE_SECONDS = 10;

/**
 * Image proxies that fetch the pixel when a person opens the message (Gmail, Yahoo): a real open,
 * through a proxy. Checked before the bot patterns, which would match their tokens.
 */
const OPEN_PROXIES = /GoogleImageProxy|YahooMailProxy/i;

/** Mail security gateways and link scanners that fetch every link (and image) of a message on the way in. */
const LINK_SCANNERS =
  /safelinks|microsoft defender|urldefense|proofpoint|mimecast|barracuda|cudasvc|ironport|cisco ?secure ?email|trend ?micro|\bTMES\b|forcepoint|symantec|fortimail|sophos|check ?point|zscaler|vade ?secure/i;

/** Scripts, crawlers and headless browsers: what no mail client sends. */
const BOTS =
  /bot\b|bot\/|crawler|spider|headless|python-requests|python-urllib|aiohttp|curl\/|wget\/|go-http-client|java\/|okhttp|libwww|apache-httpclient|axios\/|node-fetch|undici|scrapy|phantomjs|\bpreview\b/i;

/**
 * Apple's Mail Privacy Protection fetches remote content through Apple's proxy, which sends a bare
 * `Mozilla/5.0` with nothing after it; browsers and mail clients always add their platform.
 */
const BARE_MOZILLA = /^Mozilla\/5\.0$/;

/**
 * The rule a user agent alone matches, or undefined when it looks like a person's mail client or
 * browser. An empty or missing one matches none: ACS's own sample report has an empty user agent, so
 * its absence says nothing of who opened.
 */
export function userAgentRule(userAgent: string | null): MachineRule | undefined {
  const agent = userAgent?.trim() ?? '';
  if (agent === '') return undefined;
  if (BARE_MOZILLA.test(agent)) return 'apple-mail-privacy-protection';
  if (OPEN_PROXIES.test(agent)) return undefined;
  if (LINK_SCANNERS.test(agent)) return 'link-scanner';
  if (BOTS.test(agent)) return 'bot';
  return undefined;
}

/** Seconds from `from` to `to` (UTC timestamps as toUtcTimestamp writes them), to the nanosecond. */
function secondsBetween(from: string, to: string): number {
  const whole = (Date.parse(`${to.slice(0, 19)}Z`) - Date.parse(`${from.slice(0, 19)}Z`)) / 1000;
  const fraction = (key: string) => Number(`0.${key.slice(20)}`);
  return whole + fraction(instantSortKey(to)) - fraction(instantSortKey(from));
}

/** 'seconds-after-delivery' when the engagement lies within MACHINE_SECONDS of the attempt; undefined when either time is unknown. */
export function timeRule(engagedAt: string | null, attemptedAt: string | null | undefined): MachineRule | undefined {
  if (engagedAt === null || attemptedAt == null) return undefined;
  return Math.abs(secondsBetween(attemptedAt, engagedAt)) <= MACHINE_SECONDS ? 'seconds-after-delivery' : undefined;
}

/**
 * Whether an engagement (an open or a click) is likely a machine's, and by which rule: the user agent
 * first, then its time against the recipient's delivery attempt, when that is known.
 */
export function machineEngagement(
  engagement: { userAgent: string | null; occurredAt: string | null },
  attemptedAt?: string | null,
): MachineVerdict {
  const rule = userAgentRule(engagement.userAgent) ?? timeRule(engagement.occurredAt, attemptedAt);
  return rule === undefined ? { machine: false } : { machine: true, rule };
}
