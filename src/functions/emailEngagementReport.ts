import { ingestEvent } from './onFirstUse.js';
import { registerEventGridFunction } from '../registry.js';

/** Subscribed to engagement (open and click) reports; takes delivery reports too, so a misrouted subscription loses nothing. */
registerEventGridFunction('emailEngagementReport', {
  handler: async (event, context) => {
    await ingestEvent(event, context);
  },
});
