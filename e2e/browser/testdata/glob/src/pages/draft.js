export default 'draft';
export const url = import.meta.url;
