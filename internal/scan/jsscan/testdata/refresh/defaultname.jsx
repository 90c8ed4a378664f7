// export default of a name, and of an anonymous function (not registered:
// no name to register it under, as with the Babel plugin).
function Page() {
  return <main />
}
export default Page
export const renderless = () => null
