export const label = 'two v1';
