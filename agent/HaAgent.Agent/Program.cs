return await HaAgent.Agent.AgentProgram.RunAsync(args, Console.Error).ConfigureAwait(false);
