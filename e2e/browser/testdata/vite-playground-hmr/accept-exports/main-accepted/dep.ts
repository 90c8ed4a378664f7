export default 'dep0'
