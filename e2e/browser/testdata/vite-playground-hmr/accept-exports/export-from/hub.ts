export * from './depA'
