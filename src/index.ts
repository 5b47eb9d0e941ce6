/**
 * The app's entry point (package.json "main"): registers every function. The settings are checked
 * here, so that a bad or missing one stops start-up with one line that names it.
 */
import './functions/addSuppression.js';
import './functions/applyRetention.js';
import './functions/emailDeliveryReport.js';
import './functions/emailEngagementReport.js';
import './functions/eraseMessage.js';
import './functions/eraseRecipient.js';
import './functions/getActivityAsset.js';
import './functions/getActivityPage.js';
import './functions/getInternetMessage.js';
import './functions/getMessageStatus.js';
import './functions/getOpenApi.js';
import './functions/getRecipient.js';
import './functions/getSignedInUser.js';
import './functions/getStatistics.js';
import './functions/getSuppression.js';
import './functions/listDayMessages.js';
import './functions/listRecipientMessages.js';
import './functions/listSuppressions.js';
import './functions/reactivateSuppression.js';
import './functions/rollUpStatistics.js';
import './functions/syncSuppressionList.js';
import { appSettings } from './settings.js';

appSettings();
