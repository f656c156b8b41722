/** Models from a folder on this computer: the contract's types and errors, the folder check and identity. */
export type {
  FolderCheck,
  FolderCheckOptions,
  FolderEntry,
  FolderProblem,
  LocalFolderInfo,
  LocalModelLayout,
  LocalModelPurpose,
  OnnxDtype,
  OnnxVariant,
} from './types';
export { LocalFolderMismatchError, LocalFolderNeededError } from './errors';
export { checkModelFolder, MAX_CHECKED_JSON_BYTES, type ReadFolderText } from './check-folder';
export {
  folderIdentity,
  folderToken,
  isIgnoredPath,
  relativeEntries,
  type FolderIdentityOptions,
  type PickedFile,
  type ReadFolderBytes,
} from './folder-identity';
export {
  describeVariants,
  externalDataChunkNames,
  findOnnxVariants,
  formatBytes,
  isOnnxDtype,
  ONNX_DTYPE_SUFFIX,
  ONNX_DTYPES,
  onnxFileFor,
} from './onnx-variants';
