import ServflowPropertiesProvider from './ServflowPropertiesProvider';

export default {
  __init__: ['servflowPropertiesProvider'],
  servflowPropertiesProvider: ['type', ServflowPropertiesProvider],
};
