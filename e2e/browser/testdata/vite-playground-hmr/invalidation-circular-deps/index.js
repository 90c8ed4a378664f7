import './circular-invalidate/parent'
import './invalidate-handled-in-circle/parent'
