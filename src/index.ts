/**
 * The app's entry point (package.json "main"): registers every function. The settings are checked
 * here, so that a bad or missing one stops start-up with one line that names it.
 */
import { defaultEventStore } from './storage/eventStore.js';
import './functions/emailDeliveryReport.js';
import './functions/emailEngagementReport.js';
import './functions/getMessageStatus.js';

defaultEventStore();
