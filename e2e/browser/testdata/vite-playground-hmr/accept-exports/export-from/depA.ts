export const a = 'Ax'
