/**
 * A real Apache Kafka broker (KRaft, one node) for tests and local runs, without Docker:
 * `bun scripts/kafka.ts start|stop|status` (root scripts kafka:start, kafka:stop, kafka:status).
 * Tests call the exported functions through test/kafka-broker.ts.
 */
import { rmSync } from "node:fs";
import { brokerStatus, startBroker, stopBroker } from "./kafka/broker.ts";
import { BROKER_ADDRESS, brokerPaths, KAFKA_VERSION } from "./kafka/config.ts";
import { KafkaSetupError } from "./kafka/jars.ts";

export type { BrokerOptions, BrokerStatus, StartResult } from "./kafka/broker.ts";
export { BROKER_ADDRESS, KAFKA_VERSION } from "./kafka/config.ts";
export { checkPrerequisites, KafkaSetupError } from "./kafka/jars.ts";
export { brokerPaths, brokerStatus, startBroker, stopBroker };

async function main(command: string | undefined): Promise<number> {
  const log = (line: string) => console.log(line);
  switch (command) {
    case "start": {
      const result = await startBroker({ log });
      // Started by hand, the broker must outlive any test run that reuses it.
      rmSync(brokerPaths().testOwned, { force: true });
      if (result.started) {
        const seconds = (result.ms / 1000).toFixed(1);
        log(`Kafka ${KAFKA_VERSION} ready at ${BROKER_ADDRESS} in ${seconds} s.`);
      }
      log(`KAFKA_BROKERS=${BROKER_ADDRESS}`);
      return 0;
    }
    case "stop":
      await stopBroker({ log });
      return 0;
    case "status": {
      const status = await brokerStatus();
      const owner = status.pid ? `pid ${status.pid}, log ${status.logFile}` : "no pid file";
      log(
        status.running
          ? `Kafka is running at ${BROKER_ADDRESS} (${owner}), cluster ${status.clusterId}.`
          : `Kafka is not running at ${BROKER_ADDRESS}.`,
      );
      return status.running ? 0 : 1;
    }
    default:
      console.error("usage: bun scripts/kafka.ts start|stop|status");
      return 2;
  }
}

if (import.meta.main) {
  try {
    process.exit(await main(process.argv[2]));
  } catch (error) {
    console.error(error instanceof KafkaSetupError ? error.message : error);
    process.exit(1);
  }
}
