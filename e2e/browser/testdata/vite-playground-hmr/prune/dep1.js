import './dep2.js'
import './dep3.js'
