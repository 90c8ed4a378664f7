export const label = 'one v1';
