using Ferry.Server.Schedules;
using Quartz;

namespace Ferry.Server.Tests.Schedules;

/// <summary>The schedules' job types as Quartz reads them, no server needed.</summary>
public sealed class ScheduleJobTests
{
    /// <summary>Every schedule runs never beside a run of itself, also the ones that say so only through <c>ServiceCallJob</c>.</summary>
    [Fact]
    public void EveryScheduleDisallowsConcurrentExecution()
    {
        Assert.NotEmpty(FerrySchedule.All);
        foreach (var schedule in FerrySchedule.All)
        {
            Assert.True(JobBuilder.Create().OfType(schedule.JobType).WithIdentity(schedule.JobKey).Build().ConcurrentExecutionDisallowed, schedule.Name);
        }
    }
}
