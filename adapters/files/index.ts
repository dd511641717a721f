export { FilesAdapter, type FilesAdapterOptions } from './files-adapter.js'
