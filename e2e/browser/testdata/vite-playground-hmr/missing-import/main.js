import './a.js'
