// Fixed credentials of the CLI's single account, shared with the demo so the two need no configuration.
export const DEMO_USER_ID = 'demo-user';
export const DEMO_API_KEY = 'demo-key';
export const DEMO_PROJECT_ID = 'demo-project';
