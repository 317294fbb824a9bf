import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { formatProblem } from '../properties/configuration';
import { loadConfiguration } from '../properties/configuration.service';
import { dataSourceOptions } from './database.options';

// The TypeORM CLI's data source (npm run typeorm -- migration:run); reads database.url from
// the same configuration the server uses.
const loaded = loadConfiguration(process.env.PANTRY_CONFIG_DIR ?? './config');
if (!loaded.ok) {
  throw new Error(loaded.problems.map(formatProblem).join('\n'));
}

export default new DataSource(dataSourceOptions(loaded.configuration.app.values['database.url']));
