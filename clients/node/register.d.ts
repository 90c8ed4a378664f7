// @hmrd/client/register has no exports: importing it (node --import) starts
// the runtime. For the types of import.meta.hot, see @hmrd/client/hot.
export {};
