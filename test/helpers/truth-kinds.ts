/** How the shared truth files name leaks and vendors, in leakscope's terms (truth.test.ts, keyed-truth.test.ts). */

/** The truth files' leak keys → the leak kinds of our report that may carry them. */
export const KIND_FOR_TRUTH_KEY: Record<string, string[]> = {
  url_visited: ['url'],
  url_visited_examples: ['url'],
  search_query: ['search_query'],
  page_title: ['page_title'],
  referrer: ['url', 'referrer'],
  imei: ['imei'],
  imei_md5: ['imei'],
  android_id: ['android_id', 'device_id'],
  device_id: ['device_id', 'android_id'],
  // http_mixed step H sends the OAID under the short key `did` (device id): by key it is a device id
  oaid: ['advertising_id', 'device_id'],
  gaid: ['advertising_id'],
  distinct_id: ['account_id', 'device_id'],
  login_id: ['account_id'],
  anonymous_id: ['account_id', 'device_id'],
  cookie_id: ['account_id', 'device_id'],
  original_id: ['account_id', 'device_id'],
  model: ['device_model'],
  manufacturer: ['manufacturer', 'device_model'],
  os: ['os', 'os_version'],
  os_version: ['os_version'],
  miui_version: ['os_version'],
  app_version: ['app_version', 'app'],
  browser: ['browser', 'app'],
  browser_version: ['browser', 'app_version', 'app'],
  incognito: ['incognito'],
  // the keyed set's truth files add these two
  app_name: ['app'],
  screen_name: ['screen'],
  email: ['email'],
  phone: ['phone'],
  city: ['location'],
};
export const NOT_VALUES = new Set(['url_visited_count']);
export const VENDOR_NAME: Record<string, string> = { xiaomi: 'Xiaomi', sensorsdata: 'Sensors Data' };
