import 'missing-modules'

console.log('missing test')
