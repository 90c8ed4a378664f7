export const label = 'dep v1';
