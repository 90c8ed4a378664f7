export const text = 'util v1';
