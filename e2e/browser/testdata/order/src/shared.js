export const shared = 'v1';
