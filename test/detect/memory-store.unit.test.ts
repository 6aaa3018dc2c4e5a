import { MemoryCorrelationStore } from "../../src/detect/memory-store";
import { describeCorrelationStoreConformance } from "../store/correlation-store-conformance";

describeCorrelationStoreConformance("memory", () => {
  const store = new MemoryCorrelationStore();
  return {
    store,
    async addHit(ruleId, group, hit) {
      store.add(ruleId, group, hit);
    },
    async alertsRaised(ruleId) {
      return store.recorded.filter((r) => r.ruleId === ruleId && r.alerted).length;
    },
  };
});
