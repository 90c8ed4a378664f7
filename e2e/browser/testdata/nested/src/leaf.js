export const leaf = 'leaf v1';
