export * from './display.js'
