/** The registered Event Grid functions themselves, as the Functions host invokes them, against Azurite. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import '../src/index.js';
import { registeredFunctions } from '../src/registry.js';
import { sampleMessageEvents, toCloudEvent } from '../scripts/sampleEvents.js';
import { recordingContext, rowsOf } from './helpers.js';

function eventGridHandler(name: string) {
  const registration = registeredFunctions().find((fn) => fn.name === name);
  if (registration?.trigger !== 'eventGrid') throw new Error(`${name} is not a registered Event Grid function`);
  return registration.options.handler;
}

describe('the Event Grid functions', () => {
  it('registers both Event Grid functions, the HTTP functions and the two timers, once each', () => {
    expect(registeredFunctions().map((fn) => `${fn.trigger}:${fn.name}`).sort()).toEqual([
      'eventGrid:emailDeliveryReport',
      'eventGrid:emailEngagementReport',
      'http:addSuppression',
      'http:addSuppressionSignedIn',
      'http:eraseMessage',
      'http:eraseMessageSignedIn',
      'http:eraseRecipient',
      'http:eraseRecipientSignedIn',
      'http:getActivityAsset',
      'http:getActivityPage',
      'http:getInternetMessage',
      'http:getInternetMessageSignedIn',
      'http:getMessageStatus',
      'http:getMessageStatusSignedIn',
      'http:getOpenApi',
      'http:getRecipient',
      'http:getRecipientSignedIn',
      'http:getSignedInUser',
      'http:getStatistics',
      'http:getStatisticsSignedIn',
      'http:getSuppression',
      'http:getSuppressionSignedIn',
      'http:listDayMessages',
      'http:listDayMessagesSignedIn',
      'http:listRecipientMessages',
      'http:listRecipientMessagesSignedIn',
      'http:listSuppressions',
      'http:listSuppressionsSignedIn',
      'http:reactivateSuppression',
      'http:reactivateSuppressionSignedIn',
      'timer:applyRetention',
      'timer:rollUpStatistics',
      'timer:syncSuppressionList',
    ]);
  });

  it.each(['emailDeliveryReport', 'emailEngagementReport'])('%s accepts either event type, in either schema', async (name) => {
    const handler = eventGridHandler(name);
    const messageId = randomUUID();
    const [delivery, engagement] = sampleMessageEvents(messageId);
    const { context } = recordingContext(name);
    await handler(delivery as never, context);
    await handler(toCloudEvent(engagement!) as never, context);
    const rows = await rowsOf('EmailEvents', messageId);
    expect(rows.map((row) => row.kind).sort()).toEqual(['delivery', 'engagement']);
  });
});
