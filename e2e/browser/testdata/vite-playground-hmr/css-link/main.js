import './styles.css'

if (import.meta.hot) {
  import.meta.hot.accept()
}
