/** The files served beside the activity page, at /api/activity/<name>, and their content types; the OpenAPI document lists the same. */
export const ACTIVITY_ASSET_TYPES = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  // Its own icon, so that the browser's request for one is answered, and not from another origin.
  'icon.svg': 'image/svg+xml',
} as const;
export type ActivityAssetName = keyof typeof ACTIVITY_ASSET_TYPES;

export const ACTIVITY_PAGE_TYPE = 'text/html; charset=utf-8';
