import './a'
import './b'
