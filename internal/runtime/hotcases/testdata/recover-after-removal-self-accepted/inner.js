import.meta.webpackHot.accept();

export default '-inner';
