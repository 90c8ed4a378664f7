export const answer = 'answer v1';
