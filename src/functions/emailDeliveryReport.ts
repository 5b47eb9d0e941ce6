import { ingestEvent } from './onFirstUse.js';
import { registerEventGridFunction } from '../registry.js';

/** Subscribed to delivery reports; takes engagement reports too, so a misrouted subscription loses nothing. */
registerEventGridFunction('emailDeliveryReport', {
  handler: async (event, context) => {
    await ingestEvent(event, context);
  },
});
